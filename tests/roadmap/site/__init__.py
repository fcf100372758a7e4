"""Tests of roadmap.site: what operators poll and the answers of a failing database."""
