// Package nacos is govctl's client of a live Nacos server: the Open API
// client (v2 auth with accessToken, bounded retries), the compare-and-swap
// apply behind `govctl apply nacos`, and the reads `govctl plan --nacos`
// diffs against.
//
// What is published is rendered by package render/nacos, which stays pure:
// the entries, their md5 and the ownership marker are its job, and this
// package names them through the aliases below so that callers of the live
// system need one import.
package nacos

import rnacos "github.com/govctl/govctl/render/nacos"

// Entry is one config entry as render/nacos renders it and the server
// stores it: namespace, group, dataId, type, content and md5.
type Entry = rnacos.Entry

// Key identifies a config on a server: namespace, group and dataId.
type Key = rnacos.Key

// NormalizeNamespace maps the names the server treats as the default
// namespace to its id "" (see render/nacos.NormalizeNamespace).
func NormalizeNamespace(namespace string) string { return rnacos.NormalizeNamespace(namespace) }

// ContentMD5 is the md5 Nacos keeps for a config's content (see
// render/nacos.ContentMD5).
func ContentMD5(content string) string { return rnacos.ContentMD5(content) }

// ManagedDesc is the description govctl writes on a config whose content
// has the given md5 (see render/nacos.ManagedDesc).
func ManagedDesc(md5 string) string { return rnacos.ManagedDesc(md5) }

// ParseManagedDesc returns the md5 govctl recorded in a description written
// by ManagedDesc, and whether the description carries the marker at all.
func ParseManagedDesc(desc string) (md5 string, ok bool) { return rnacos.ParseManagedDesc(desc) }
