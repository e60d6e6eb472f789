package multistage

// defaultPath is the PATH of Debian-based images.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// imageEnv is the environment toolchain images set that decides where
// their tools install.
func imageEnv(base string) map[string]string {
	name, _ := imageName(base)
	switch name {
	case "golang":
		return map[string]string{"GOPATH": "/go", "PATH": "/go/bin:/usr/local/go/bin:" + defaultPath}
	case "rust":
		return map[string]string{"CARGO_HOME": "/usr/local/cargo", "RUSTUP_HOME": "/usr/local/rustup", "PATH": "/usr/local/cargo/bin:" + defaultPath}
	case "ruby":
		// gem and bundle install into GEM_HOME, the programs into its bin
		return map[string]string{"GEM_HOME": "/usr/local/bundle", "BUNDLE_APP_CONFIG": "/usr/local/bundle", "PATH": "/usr/local/bundle/bin:" + defaultPath}
	}
	return nil
}

// knownEnvImages are the images whose environment dockmend knows: where
// pip, gem or cpanm install (no virtualenv first on PATH, say).
var knownEnvImages = map[string]bool{
	"debian": true, "ubuntu": true, "python": true, "node": true, "golang": true, "rust": true, "gcc": true,
	"buildpack-deps": true, "eclipse-temurin": true, "maven": true, "gradle": true, "openjdk": true, "ruby": true, "perl": true,
}

// knownEnv reports whether the stage's base image is one whose
// environment dockmend knows.
func (a *analysis) knownEnv() bool {
	name, _ := imageName(a.base)
	return knownEnvImages[name]
}
