"""jiaoyuapp: the Qt-free core of 乡村学校控辍保学与家访台账."""

__version__ = "0.1.0"
