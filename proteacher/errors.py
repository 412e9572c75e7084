"""The one error a service raises when it refuses a request.

Every service of every app raises DomainError (or a subclass that carries more for its caller)
with the sentence the user reads; views show `message` as it is and never translate one error
into another. A subclass exists only where a caller reacts differently (re-shows a form, follows
a code), never to reword.
"""


class DomainError(Exception):
    """A request the platform refuses; `message` is shown to the user word for word."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
