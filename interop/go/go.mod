module jejak.example/interop

go 1.19

require golang.org/x/mod v0.0.0-00010101000000-000000000000

// Offline build against Debian's golang-golang-x-mod-dev (no module proxy needed).
replace golang.org/x/mod => /usr/share/gocode/src/golang.org/x/mod
