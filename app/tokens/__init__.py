"""Personal API tokens: created and revoked by their owner, stored as sha256 hashes, acting as the owner."""
