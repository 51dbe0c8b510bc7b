"""What an exported model file carries, and how it is checked before anything trusts it.

``tflite_metadata`` reads a TFLite file's named metadata entries and
``tflite_model_metadata`` its standard Model Metadata (classes generated into
``tflite_metadata_schema``); ``integrity`` verifies the seal written at export; ``file_kinds`` tells
an exported model from a checkpoint, an image or a pickle by its first bytes. (Which spec a loaded
file answers to, embedded or sidecar, is the runtime root's ``metadata``.) May import the runtime
core's spec and errors only; never torch.
"""
