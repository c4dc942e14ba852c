"""Demo data for `make run`: a province with its departments, center and communes, officials for every role."""
