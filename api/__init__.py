"""The HTTP surface: FastAPI app factory, routers, auth and tenancy, problem+json."""
