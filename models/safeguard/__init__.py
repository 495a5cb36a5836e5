"""Safeguarding papers: the signed tavshedserklæring and frivilligaftale, the børneattest's
renewal, and a volunteer's "Jeg er bekymret" (tables, operations, queries)."""
