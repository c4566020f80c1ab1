package controlplane

func (h *Handler) resourceOps(m map[string]opFunc) {}
