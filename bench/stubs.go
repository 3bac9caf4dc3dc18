package main

// compareOTLP is (a): it needs the NeuralTrust batch destination.
func compareOTLP(int) []result { return nil }
