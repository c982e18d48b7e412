// test_pch.cpp: the object that owns the tests' shared precompiled header (tests/CMakeLists.txt).
