"""Photo and video location privacy: find what pictures reveal, and remove it losslessly."""
