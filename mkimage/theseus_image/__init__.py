"""mkimage: validates crate objects and packs them into the crate archive.

The archive byte format is specified in docs/archive-format.md; the command
line in docs/mkimage.md.
"""
