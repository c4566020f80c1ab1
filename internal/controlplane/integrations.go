package controlplane

func (h *Handler) integrationOps(m map[string]opFunc) {}
