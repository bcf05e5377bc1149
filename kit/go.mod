module github.com/govctl/govctl/kit

go 1.26.0

require (
	github.com/go-kratos/kratos/v2 v2.8.3
	github.com/govctl/govctl v0.0.0-00010101000000-000000000000
)

require (
	dario.cat/mergo v1.0.0 // indirect
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	github.com/kr/text v0.2.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/govctl/govctl => ../
