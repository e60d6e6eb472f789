package builder

// NoRunner makes a buildah builder run containers with "buildah run"
// even when podman is installed, to test that path.
func NoRunner(b Builder) { b.(*tool).runner = nil }
