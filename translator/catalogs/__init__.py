"""PO catalogs: takes a post's units, gives (and reads back) one catalog per post and
locale with its provenance headers and entry states; plus the XLIFF exchange."""
