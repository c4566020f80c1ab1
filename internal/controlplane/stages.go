package controlplane

func (h *Handler) stageOps(m map[string]opFunc) {}
