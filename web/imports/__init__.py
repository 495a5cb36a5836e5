"""Pages of the spreadsheet import (issue 17): coordinators and admins, and the imported volunteer."""
