package org.hierattn.core

/** The model metadata (sidecar JSON) is missing, malformed or inconsistent; the message says which. */
class MetadataException(message: String) : RuntimeException(message)
