// Package velocitydiff holds the differential test suite that renders a
// corpus of templates with both Gantry's VTL engine (in plain Velocity mode)
// and Apache Velocity 1.7 on the JVM, and requires identical output.
//
// The Java side is testdata/VelocityRunner.java, compiled with javac at test
// time. It needs the Debian packages "velocity" and "default-jdk-headless"
// (which bring /usr/share/java/velocity.jar, commons-collections3.jar and
// commons-lang.jar). Without them the test is skipped, unless the
// environment variable CI is "true", in which case it fails.
package velocitydiff
