"""Rule modules, one per rule family. Importing this package registers every rule."""
