module github.com/cognitod/cognitod

go 1.26
