#!/usr/bin/env bash
# The Debian package's tests (tests/packaging/CMakeLists.txt runs one CHECK
# per ctest case). "build" makes the .deb with cpack into $PKG_WORK (not the
# build directory) and unpacks it there; the other checks read that, and
# "cleanup" removes it. Exit status 77: skipped, the reason printed.
# Environment: PKG_BUILD_DIR PKG_WORK PKG_CPACK PKG_VERSION PKG_APPSTREAM_ID PKG_HOMEPAGE
# Usage: packaging.sh build|contents|desktop|appstream|lintian|cleanup
set -euo pipefail
check="${1:?usage: packaging.sh CHECK}"
work="${PKG_WORK:?}"
version="${PKG_VERSION:?}"
id="${PKG_APPSTREAM_ID:?}"
root="$work/root"

failures=0
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
finish() {
    if [[ $failures -ne 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
    echo "all checks passed"
}
need_tool() { command -v "$1" >/dev/null || skip "$1 is not installed (package $2; scripts/deps.sh installs it)"; }
arch() { dpkg --print-architecture; }
deb_path() { echo "$work/taskpool_${version}_$(arch).deb"; }
need_deb() {
    need_tool dpkg-deb dpkg
    [[ -f "$(deb_path)" && -d "$root" ]] || skip "no package in $work: the test packaging_build_deb did not make one"
}
# Files the package must hold, as dpkg-deb -c lists them.
expected_files() {
    echo ./usr/bin/taskpool
    echo ./usr/share/applications/taskpool.desktop
    echo "./usr/share/metainfo/$id.metainfo.xml"
    echo ./usr/share/icons/hicolor/scalable/apps/taskpool.svg
    for size in 16 22 24 32 48 64 128 256 512; do
        echo "./usr/share/icons/hicolor/${size}x${size}/apps/taskpool.png"
    done
    echo ./usr/share/doc/taskpool/copyright
    echo ./usr/share/doc/taskpool/changelog.gz
    echo ./usr/share/man/man1/taskpool.1.gz
    echo ./usr/share/bash-completion/completions/taskpool
    echo ./usr/share/zsh/vendor-completions/_taskpool
}
check_listed() { # FILE...: each is in the package
    local listing
    listing="$(dpkg-deb -c "$(deb_path)" | awk '{print $6}')"
    for f in "$@"; do
        if grep -qxF "$f" <<<"$listing"; then ok "contains ${f#.}"; else fail "the package lacks ${f#.}"; fi
    done
}
field() { dpkg-deb -f "$(deb_path)" "$1"; }

case "$check" in
build)
    need_tool dpkg-deb dpkg
    need_tool dpkg-shlibdeps dpkg-dev
    cpack="${PKG_CPACK:-cpack}"
    rm -rf "$work"
    mkdir -p "$work"
    echo "cpack -G DEB --config $PKG_BUILD_DIR/CPackConfig.cmake -B $work"
    "$cpack" -G DEB --config "$PKG_BUILD_DIR/CPackConfig.cmake" -B "$work"
    [[ -f "$(deb_path)" ]] || { echo "FAIL: cpack did not write $(deb_path)"; ls -l "$work"; exit 1; }
    ok "built $(deb_path) ($(stat -c %s "$(deb_path)") bytes)"
    dpkg-deb -x "$(deb_path)" "$root"
    ok "unpacked it into $root"
    ;;
contents)
    need_deb
    # shellcheck disable=SC2046
    check_listed $(expected_files)
    outside="$(dpkg-deb -c "$(deb_path)" | awk '{print $6}' | grep -vE '^\./(usr/?)?$|^\./usr/(bin|share)/' || true)"
    if [[ -z "$outside" ]]; then ok "every file is under /usr/bin or /usr/share"; else fail "files elsewhere: $outside"; fi

    expect_field() { # NAME VALUE
        local value; value="$(field "$1")"
        if [[ "$value" == "$2" ]]; then ok "$1: $value"; else fail "$1 is '$value', not '$2'"; fi
    }
    expect_field Package taskpool
    expect_field Version "$version"
    expect_field Architecture "$(arch)"
    expect_field Section utils
    expect_field Priority optional
    expect_field Homepage "${PKG_HOMEPAGE:?}"
    expect_field Maintainer "Seed 4d96463b maintainers <maintainers@users.noreply.r-seed-4d96463b.example>"
    depends="$(field Depends)"
    echo "Depends: $depends"
    # libqt6core6 and libc6 only come from dpkg-shlibdeps; the others are named by hand.
    for dep in libc6 libqt6core6 libqt6widgets6 libqt6sql6 qt6-qpa-plugins libqt6sql6-sqlite; do
        if grep -qE "(^|, )$dep( |,|$)" <<<"$depends"; then ok "Depends names $dep"; else fail "Depends lacks $dep"; fi
    done
    description="$(field Description)"
    # CPack's list handling turns a "quoted phrase" into ;quoted;phrase;
    if grep -qE ';([^ ]|$)' <<<"$description"; then fail "the Description holds a ';' not followed by a space (double quotes mangled by CPack?)"
    else ok "the Description holds no words glued by ';' (no mangled double quotes)"; fi
    if [[ "$(head -1 <<<"$description")" == "task-pool monitor for batch work" && $(wc -l <<<"$description") -ge 5 ]]; then
        ok "Description: a summary and an extended description of $(($(wc -l <<<"$description") - 1)) lines"
    else
        fail "Description is not a summary plus an extended description: $description"
    fi

    if command -v file >/dev/null; then
        info="$(file -b "$root/usr/bin/taskpool")"
        if [[ "$info" == *"ELF"*", stripped"* ]]; then ok "usr/bin/taskpool is a stripped ELF binary"; else fail "usr/bin/taskpool: $info"; fi
        for size in 16 22 24 32 48 64 128 256 512; do
            png="$root/usr/share/icons/hicolor/${size}x${size}/apps/taskpool.png"
            [[ -f "$png" ]] || continue
            if [[ "$(file -b "$png")" == "PNG image data, $size x $size,"* ]]; then ok "the ${size}x$size icon is a $size x $size PNG"
            else fail "the ${size}x$size icon: $(file -b "$png")"; fi
        done
    else
        echo "(file is not installed: the binary's stripping and the PNG sizes are not checked)"
    fi

    copyright="$root/usr/share/doc/taskpool/copyright"
    if [[ -f "$copyright" && "$(head -1 "$copyright")" == "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ]]; then
        ok "copyright is in the machine-readable (DEP-5) format"
    else
        fail "copyright is missing or not DEP-5"
    fi
    changelog="$root/usr/share/doc/taskpool/changelog.gz"
    if [[ -f "$changelog" ]]; then
        top="$(gzip -dc "$changelog" | head -1)"
        if [[ "$top" == "taskpool ($version) "* ]]; then ok "the changelog's newest entry is $version"
        else fail "the changelog's newest entry is not $version (bump resources/changelog): $top"; fi
        # gzip -n: bytes 4-7 (the timestamp) are zero, and no file name is stored (flag bit 3).
        header="$(od -An -tu1 -N8 "$changelog" | tr -s ' ')"
        if [[ "$header" == " 31 139 8 0 0 0 0 0" ]]; then ok "changelog.gz has no timestamp or name (gzip -n)"
        else fail "changelog.gz's header is$header (not made with gzip -n)"; fi
    fi

    metainfo="$root/usr/share/metainfo/$id.metainfo.xml"
    if [[ -f "$metainfo" ]]; then
        grep -q "<release version=\"$version\"" "$metainfo" && ok "the metainfo's release is $version" \
            || fail "the metainfo has no release $version"
        launchable="$(sed -n 's:.*<launchable type="desktop-id">\(.*\)</launchable>.*:\1:p' "$metainfo")"
        [[ -n "$launchable" && -f "$root/usr/share/applications/$launchable" ]] \
            && ok "the metainfo's launchable $launchable is in the package" \
            || fail "the metainfo's launchable '$launchable' is not in the package"
    fi
    finish
    ;;
desktop)
    need_deb
    need_tool desktop-file-validate desktop-file-utils
    entry="$root/usr/share/applications/taskpool.desktop"
    [[ -f "$entry" ]] || { echo "FAIL: the package has no usr/share/applications/taskpool.desktop"; exit 1; }
    echo "desktop-file-validate usr/share/applications/taskpool.desktop"
    status=0
    output="$(desktop-file-validate "$entry" 2>&1)" || status=$?
    [[ -n "$output" ]] && echo "$output"
    if [[ $status -ne 0 ]] || grep -qE ': (error|warning): ' <<<"$output"; then fail "desktop-file-validate found errors or warnings (status $status)"
    else ok "the desktop entry is valid: no errors, no warnings"; fi
    grep -qx 'Icon=taskpool' "$entry" && ok "Icon=taskpool (the hicolor name)" || fail "the entry's Icon is not taskpool"
    grep -qE '^Exec=taskpool( |$)' "$entry" && ok "Exec runs taskpool (usr/bin/taskpool)" || fail "the entry's Exec is not taskpool"
    finish
    ;;
appstream)
    need_deb
    need_tool appstreamcli appstream
    metainfo="$root/usr/share/metainfo/$id.metainfo.xml"
    [[ -f "$metainfo" ]] || { echo "FAIL: the package has no usr/share/metainfo/$id.metainfo.xml"; exit 1; }
    echo "appstreamcli validate --no-net usr/share/metainfo/$id.metainfo.xml"
    status=0
    output="$(appstreamcli validate --no-net --no-color "$metainfo" 2>&1)" || status=$?
    echo "$output"
    if [[ $status -ne 0 ]] || grep -qE '^(E|W): ' <<<"$output"; then fail "appstreamcli found errors or warnings (status $status)"
    else ok "the AppStream metadata is valid: no errors, no warnings"; fi
    # What appstreamcli only notes (or not at all) when it is missing.
    for element in '<content_rating type="oars-1.1"' '<launchable type="desktop-id">taskpool.desktop</launchable>' \
                   '<binary>taskpool</binary>' '<screenshot type="default">' "<url type=\"homepage\">${PKG_HOMEPAGE:?}</url>" \
                   '<project_license>' '<metadata_license>' '<developer_name>' "<release version=\"$version\""; do
        if grep -qF "$element" "$metainfo"; then ok "has $element"; else fail "lacks $element"; fi
    done
    finish
    ;;
lintian)
    need_deb
    need_tool lintian lintian
    echo "lintian --display-info $(basename "$(deb_path)")"
    status=0
    output="$(lintian --display-info "$(deb_path)" 2>&1)" || status=$?
    echo "${output:-(no output)}"
    if grep -qE '^E: ' <<<"$output"; then fail "lintian reports errors"
    elif [[ $status -ne 0 ]]; then fail "lintian exited with status $status"
    else ok "lintian reports no errors"; fi
    # Any warning fails too, so a new one is seen.
    while read -r tag; do
        [[ -z "$tag" ]] && continue
        fail "lintian warns: $tag"
    done < <(sed -n 's/^W: taskpool: \([^ ]*\).*/\1/p' <<<"$output")
    finish
    ;;
cleanup)
    rm -rf "$work"
    echo "removed $work"
    ;;
*)
    echo "packaging.sh: unknown check '$check'" >&2
    exit 2
    ;;
esac
