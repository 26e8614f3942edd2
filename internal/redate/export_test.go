package redate

// SetFault makes each step of a move call f (nil: none); see fault.
func SetFault(f func(step string) error) { fault = f }
