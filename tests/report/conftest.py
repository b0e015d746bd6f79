"""The local GitHub server fixture (tests/fake_github.py)."""

from tests.fake_github import fake_github

__all__ = ["fake_github"]
