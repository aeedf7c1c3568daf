const greet = (n) => `Hello, ${n}!`;
print(greet("Sable"));
