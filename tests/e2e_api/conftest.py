from tests.functional.api.conftest import api, world  # noqa: F401
