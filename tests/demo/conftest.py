import pytest

from klarsyn.demo import DemoCompany, generate


@pytest.fixture(scope="session")
def small_company() -> DemoCompany:
    """A smaller company, for tests that need structure rather than statistical power."""
    return generate(seed=7, feedback=12_000)


@pytest.fixture(scope="session")
def demo_company() -> DemoCompany:
    """The company at its default size, as ``klarsyn demo`` builds it."""
    return generate()
