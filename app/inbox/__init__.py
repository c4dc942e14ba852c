"""Officials' task inboxes: my tasks, the queue of my roles, the team view; claim, unclaim, reassign."""
