"""Templates rendered, files written into the output folder, links checked."""
