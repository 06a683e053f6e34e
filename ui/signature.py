"""A handwritten signature: the resident draws with a finger (or the mouse) in a box.

The strokes are kept as a white image with black ink and handed over as PNG bytes.
Touch input reaches the pad as the mouse events Qt synthesises from it.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageWriter,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

INK_WIDTH = 6
MIN_SIZE = QSize(480, 240)


class SignaturePad(QWidget):
    """Draw with press-and-move; ``changed(has_ink)`` follows every stroke and ``clear()``."""

    changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(MIN_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._image = self._blank(MIN_SIZE)
        self._last: QPoint | None = None
        self._has_ink = False

    @staticmethod
    def _blank(size: QSize) -> QImage:
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        return image

    @property
    def has_ink(self) -> bool:
        return self._has_ink

    def clear(self) -> None:
        """Forget the drawing."""
        self._image = self._blank(self._image.size())
        self._last = None
        self._set_ink(False)
        self.update()

    def png_bytes(self) -> bytes:
        """The drawing as a PNG file's bytes."""
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        QImageWriter(buffer, QByteArray(b"PNG")).write(self._image)
        buffer.close()
        return bytes(buffer.data().data())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = event.position().toPoint()
            self._draw_to(self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._draw_to(event.position().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last = None

    def _draw_to(self, point: QPoint) -> None:
        start = self._last or point
        painter = QPainter(self._image)
        pen = QPen(QColor("black"), INK_WIDTH)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(start, point)
        painter.end()
        self._last = point
        self._set_ink(True)
        self.update()

    def _set_ink(self, has_ink: bool) -> None:
        if has_ink != self._has_ink:
            self._has_ink = has_ink
            self.changed.emit(has_ink)

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size().expandedTo(self._image.size())
        if size != self._image.size():
            grown = self._blank(size)
            painter = QPainter(grown)
            painter.drawImage(QPoint(0, 0), self._image)
            painter.end()
            self._image = grown
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(QPoint(0, 0), self._image)
        painter.setPen(QPen(QColor("black"), 3))
        painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        painter.end()
