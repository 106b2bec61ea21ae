# Debian packaging (cpack -G DEB in the build directory) and the settings it
# shares with resources/: the homepage, the AppStream ID, hardening flags.
#
# Before publishing, set TASKPOOL_HOMEPAGE (the one thing to set): the project
# has no published homepage yet, so the default is a placeholder on the
# project's own placeholder domain. It becomes the package's Homepage field,
# the AppStream homepage and screenshot URLs (HOMEPAGE/docs/screenshot.png,
# HOMEPAGE/docs/timeline.png), and the AppStream ID is derived from its host
# (https://taskpool.example.org gives org.example.taskpool). Once a release has
# been published, the ID must not change again.
set(TASKPOOL_HOMEPAGE "https://taskpool.r-seed-4d96463b.example" CACHE STRING
    "The project's homepage, for the Debian package and the AppStream metadata (a placeholder until one is published)")

# The AppStream ID: the homepage's host reversed (hyphens become underscores,
# a leading www. is dropped), ending in "taskpool".
if(NOT TASKPOOL_HOMEPAGE MATCHES "^https://([^/:]+)")
    message(FATAL_ERROR "TASKPOOL_HOMEPAGE must be an https:// URL, not '${TASKPOOL_HOMEPAGE}'")
endif()
string(TOLOWER "${CMAKE_MATCH_1}" _taskpool_host)
string(REGEX REPLACE "^www\\." "" _taskpool_host "${_taskpool_host}")
string(REPLACE "-" "_" _taskpool_host "${_taskpool_host}")
string(REPLACE "." ";" _taskpool_id_parts "${_taskpool_host}")
list(REVERSE _taskpool_id_parts)
list(TRANSFORM _taskpool_id_parts REPLACE "^([0-9])" "_\\1")
list(GET _taskpool_id_parts -1 _taskpool_last)
if(NOT _taskpool_last STREQUAL "taskpool")
    list(APPEND _taskpool_id_parts taskpool)
endif()
list(JOIN _taskpool_id_parts "." TASKPOOL_APPSTREAM_ID)

# Hardening, as dpkg-buildflags would set it and lintian checks for it.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # _FORTIFY_SOURCE needs optimisation, so not in Debug builds.
    add_compile_options(-fstack-protector-strong
                        "$<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE;-D_FORTIFY_SOURCE=2>")
    add_link_options(-Wl,-z,relro,-z,now)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME taskpool)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The taskpool maintainers")
set(CPACK_PACKAGE_CONTACT "Seed 4d96463b maintainers <maintainers@users.noreply.r-seed-4d96463b.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "task-pool monitor for batch work")
set(CPACK_PACKAGE_DESCRIPTION [=[
taskpool runs batch work - parameter sweeps, file conversions, renders,
data crunching - on a pool of worker processes. Pick a command and its
inputs, set how many workers run, and watch every worker (progress, CPU,
memory of its whole process tree) and every result live; one action
terminates the whole pool, grandchildren included.

Failed, timed-out and stalled tasks can be retried, workers recycled, and a
run halted after too many failures. Every run is recorded in a journal, so a
killed run can be resumed and its results exported as CSV or JSON Lines.

The same engine runs headless for scripts (taskpool run), and the desktop
app can watch those runs too, on this machine or on another host over ssh.]=])
# (No double quotes in it: CPack's list handling mangles them.)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # taskpool_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${TASKPOOL_HOMEPAGE}")
# Libraries the binary links come from dpkg-shlibdeps; what Qt loads at run
# time (dlopen) it cannot see, so these are named by hand: the platform
# plugins (xcb; offscreen and minimal come with libqt6gui6) and the SQLite
# driver of the run journal. The SVG plugins come with libqt6svg6, which the
# binary links (QSvgGenerator).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6sql6-sqlite")

include(CPack)
