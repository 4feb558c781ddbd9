"""Demo data: the real programme facts of question 244 plus synthetic companies and applications."""
