package library

// IncomingDir holds what guests are sending through share links: the
// resumable uploads of "picup serve" (a file and its .info per upload),
// until each is imported, or abandoned for a day and removed. Nothing in
// it belongs to the catalog, so verify leaves it alone.
const IncomingDir = "incoming"
