"""Persistence: SQLModel tables, repositories, the FSM storage and pseudonymous keys."""
