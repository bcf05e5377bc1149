# METADATA
# title: Rendered output changed without a spec change
# description: >-
#   Object changes no spec edit explains come from a new govctl version or
#   template (with a spec baseline), or cannot be explained because there
#   is no spec baseline (--against, --nacos). They are shown in full and
#   rated by where they land: a prod object deleted is high, any other
#   prod change medium.
# custom:
#   id: RISK-OBJ-001
package govctl.risk.objects

prod_objects := [o | some o in input.objects; object.get(input.tiers, o.env, "prod") == "prod"]

deleted_in_prod := [o | some o in prod_objects; o.action == "delete"]

rating contains {"level": "high", "reason": sprintf("%s; %d object(s) deleted in prod", [input_reason, count(deleted_in_prod)])} if {
	input.scope == "objects"
	count(deleted_in_prod) > 0
}

rating contains {"level": "medium", "reason": sprintf("%s; %d object(s) change in prod", [input_reason, count(prod_objects)])} if {
	input.scope == "objects"
	count(prod_objects) > 0
}

rating contains {"level": "low", "reason": sprintf("%s; nothing in prod", [input_reason])} if {
	input.scope == "objects"
	count(prod_objects) == 0
}

input_reason := "rendered output changed without a spec change" if input.spec_baseline

input_reason := "compared with rendered output only (no spec baseline)" if not input.spec_baseline
