"""Rule modules, one per rule family. `monitor.registry.all_rules()` imports every module here,
which registers its rules; a new family needs no other change."""
