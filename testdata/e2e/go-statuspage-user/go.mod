module example.com/statuspage

go 1.19

require (
	github.com/spf13/pflag v1.0.5
	gopkg.in/yaml.v3 v3.0.1
)
