Gem::Specification.new do |s|
  s.name        = "ledger-lite"
  s.version     = "0.2.0"
  s.summary     = "A tiny double-entry ledger on SQLite"
  s.authors     = ["Ledger Maintainers"]
  s.license     = "MIT"
  s.files       = Dir["lib/**/*.rb", "ext/**/*.{c,rb}", "bin/*"]
  s.bindir      = "bin"
  s.executables = ["ledger"]
  s.extensions  = ["ext/ledger_sqlite/extconf.rb"]
  s.required_ruby_version = ">= 2.7"
end
