package controlplane

func (h *Handler) deploymentOps(m map[string]opFunc) {}
