package controlplane

func (h *Handler) methodOps(m map[string]opFunc) {}
