package govctl.rules.res_006_test

import data.govctl.rules.res_006

degrade(to) := {"resilience": {"degradation": {"warnAt": 0.05, "degradeAt": 0.2, "fallbackTo": to}}}

test_fallback_to_itself_fails if {
	res_006.violation == {{
		"msg": "falls back to itself: degraded traffic goes back to the failing service",
		"service": "orders",
		"path": "resilience.degradation.fallbackTo",
	}} with input as {"services": {"orders": degrade("orders")}}
}

test_fallback_loop_is_reported_once if {
	res_006.violation == {{
		"msg": "fallbacks form a loop cart → orders → orders-lite → cart: degraded traffic returns to the failing service",
		"service": "cart",
		"path": "resilience.degradation.fallbackTo",
	}} with input as {"services": {
		"orders": degrade("orders-lite"),
		"orders-lite": degrade("cart"),
		"cart": degrade("orders"),
		"checkout": degrade("orders"),
	}}
}

test_fallback_chain_passes if {
	count(res_006.violation) == 0 with input as {"services": {
		"orders": degrade("orders-lite"),
		"orders-lite": degrade("orders-static"),
		"orders-static": {"resilience": {}},
	}}
}
