# A package only so `unittest discover -s processors -t processors` reaches the processors' tests.
