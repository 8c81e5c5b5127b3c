"""The registry domain: names, digests, descriptors, and the services a repository offers."""
