"""The staff side: the coordinators' chat, every handler behind `IsCoordinator`."""
