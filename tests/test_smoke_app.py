def test_sign_in_page_is_danish_by_default(client):
    response = client.get("/log-ind")
    assert response.status_code == 200
    assert 'lang="da"' in response.get_data(as_text=True)
