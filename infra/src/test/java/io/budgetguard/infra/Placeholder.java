package io.budgetguard.infra;
final class Placeholder {}
