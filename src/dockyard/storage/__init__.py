"""The registry domain implemented on a storage driver, in Distribution's layout."""
