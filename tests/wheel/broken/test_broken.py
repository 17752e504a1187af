def test_one(lambdalite_client):
    lambdalite_client.list_functions()


def test_two(lambdalite_client):
    lambdalite_client.list_functions()
