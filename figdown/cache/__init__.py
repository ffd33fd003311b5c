"""The build cache: records that let a build do only what changed."""
