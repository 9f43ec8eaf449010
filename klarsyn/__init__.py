"""Klarsyn: self-hosted Voice of the Customer.

Customer feedback from every channel, understood offline and turned into the few priorities that
matter, honest explanations of why a metric moved, owned actions and their measured effect.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
