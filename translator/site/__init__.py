"""The site on disk: takes a root folder, gives its settings, where each post's catalog
and outputs live, atomic writes and hashes, build records and the glossary."""
